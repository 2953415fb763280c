next _sub_daily.flux --pipeline berlin_fixed -n 4 --after 2027-03-26T12:00:00
