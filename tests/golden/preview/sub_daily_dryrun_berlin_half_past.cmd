dry-run _sub_daily.flux --pipeline berlin_half_past --from 2027-03-28T00:30 --to 2027-03-28T04:30
