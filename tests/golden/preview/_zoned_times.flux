pipeline zoned {
    schedule = "@hourly"
    start    = "2027-03-01T00:00:00"
    timezone = "America/New_York"
    task t : bash {
        command = """
            echo start {{ interval_start }} end {{ interval_end }}
            echo plus {{ interval_start + 1h }} {{ interval_start + 1h30m }} {{ interval_start | add(1h) }}
            echo minus {{ interval_end - 1h }} {{ interval_end - 2h }} {{ interval_end | add(-1h) }}
            echo day {{ interval_start + 1d }} {{ interval_start - 1d }}
            echo local {{ (interval_start + 1h) | date("%H:%M %Z") }} {{ (interval_start + 1h) | ts }}
            echo same {{ interval_start + 1h - 1h == interval_start }} {{ interval_end - interval_start }}
            echo utc {{ "2027-03-14T06:00:00Z" | add(1h) }}
            """
    }
}
