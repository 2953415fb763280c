# Both operators of examples/custom_operators used as their manifests say.
pipeline ok {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"

    task wait : file_lines_sensor {
        path          = "in/{{ ds }}.csv"
        poke_interval = 5s
    }

    task load : csv_to_sqlite {
        path   = "in/{{ ds }}.csv"
        target = "warehouse"
        table  = "orders"
    }

    wait >> load
}
