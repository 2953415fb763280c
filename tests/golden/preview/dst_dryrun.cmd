dry-run _dst.flux --from 2027-03-27 --to 2027-03-29
