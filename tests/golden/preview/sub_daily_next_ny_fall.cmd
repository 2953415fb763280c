next _sub_daily.flux --pipeline ny_hourly -n 5 --after 2027-11-07T00:30:00
