dry-run _sub_daily.flux --pipeline berlin_half_past --from 2027-10-31T01:30 --to 2027-10-31T03:30 --format json
