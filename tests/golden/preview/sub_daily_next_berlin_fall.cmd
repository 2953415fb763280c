next _sub_daily.flux --pipeline berlin_quarter -n 10 --after 2027-10-31T02:30:00+02:00
