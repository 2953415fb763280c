pipeline cron_names {
    schedule = "30 6 * JAN-MAR MON-FRI"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
}
pipeline cron_ranges_steps_lists {
    schedule = "*/15 8-18/2 1,15 * 0,6"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
}
pipeline preset_hourly {
    schedule = "@hourly"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
}
pipeline preset_weekly {
    schedule = "@weekly"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
}
pipeline preset_monthly {
    schedule = "@monthly"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
}
pipeline preset_yearly {
    schedule = "@yearly"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
}
pipeline preset_once {
    schedule = "@once"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
}
pipeline every_15m {
    schedule = "every 15m"
    start = "2026-01-01T00:00:00+02:00"
    timezone = "America/New_York"
    task a : bash { command = "true" }
}
