next _sub_daily.flux --pipeline ny_hourly -n 4 --after 2027-03-14T00:30:00
