dry-run _sub_daily.flux --pipeline ny_hourly --from 2027-03-14T00:00 --to 2027-03-14T04:00
