render _zoned_times.flux t --date 2027-03-14T01:00
