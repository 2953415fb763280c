render _sub_daily.flux t --pipeline berlin_quarter --date 2027-10-31
