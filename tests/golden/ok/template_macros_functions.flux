pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash {
        command = "echo {{ ds_add(ds, -1) }} {{ ds_format(ds, '%Y-%m-%d', '%d/%m/%Y') }} {{ ts | date('%H') }} {{ data_interval_start | ds_nodash }}"
    }
}
