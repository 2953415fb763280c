render _zoned_times.flux t --date 2027-11-07T01:00:00-04:00
