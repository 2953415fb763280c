# Sub-daily schedules across the changes of offset of 2027, and fixed hours
# beside them (lang/REFERENCE.md, section 15.1).
pipeline ny_hourly {
    schedule = "@hourly"
    start    = "2027-03-01T00:00:00"
    timezone = "America/New_York"
    task t : bash { command = "echo {{ ts }} to {{ interval_end | ts }} ({{ interval_end - interval_start }})" }
}
pipeline ny_fixed {
    schedule = "30 1 * * *"
    start    = "2027-03-01T00:00:00"
    timezone = "America/New_York"
    task t : bash { command = "echo {{ ts }} to {{ interval_end | ts }} ({{ interval_end - interval_start }})" }
}
pipeline berlin_quarter {
    schedule = "*/15 * * * *"
    start    = "2027-03-01T00:00:00"
    timezone = "Europe/Berlin"
    task t : bash { command = "echo {{ ts }} to {{ interval_end | ts }} ({{ interval_end - interval_start }})" }
}
pipeline berlin_half_past {
    schedule = "30 * * * *"
    start    = "2027-03-01T00:00:00"
    timezone = "Europe/Berlin"
    task t : bash { command = "echo {{ ts }} to {{ interval_end | ts }} ({{ interval_end - interval_start }})" }
}
pipeline berlin_fixed {
    schedule = "30 2 * * *"
    start    = "2027-03-01T00:00:00"
    timezone = "Europe/Berlin"
    task t : bash { command = "echo {{ ts }} to {{ interval_end | ts }} ({{ interval_end - interval_start }})" }
}
