next _sub_daily.flux --pipeline berlin_fixed -n 3 --after 2027-10-29T12:00:00
