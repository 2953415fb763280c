next _sub_daily.flux --pipeline berlin_quarter -n 4 --after 2027-03-28T01:30:00
