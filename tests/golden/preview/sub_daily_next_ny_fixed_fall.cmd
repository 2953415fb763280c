next _sub_daily.flux --pipeline ny_fixed -n 3 --after 2027-11-05T12:00:00
