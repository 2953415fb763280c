dry-run _sub_daily.flux --pipeline ny_hourly --from 2027-11-07T00:00 --to 2027-11-07T03:00
