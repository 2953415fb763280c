# Types, enumerations, connection types and templates of an operator of
# one's own, from its manifest.
pipeline wrong_type {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"

    task wait : file_lines_sensor {
        path      = "in/{{ ds }}.csv"
        min_lines = "three"
    }

    task load : csv_to_sqlite {
        path   = "in/{{ ds }}.csv"
        target = "kafka"
        table  = "{{ ds }}"
        mode   = upsert
    }

    wait >> load
}
