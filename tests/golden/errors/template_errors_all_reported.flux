{% set rule = "all_done" %}
pipeline p {
    schedule = "@daily"
    start = "2026-11-01T00:00:00Z"
    task a : bash { command = "echo {{ logical_dat }} {{ ds_add(ds) }} {{ ds | join(1, 2) }}" }
    task b : bash {
        command = "echo {{ interval_end | add(5) }} {{ ds | date('%q') }} {{ ds_add(ds, 'x') }} {{ run_id[0] }} {{ 1.0e3 }}"
        trigger_rule = {{ rule }}
    }
    task c : time_sensor { until = "garbage" }
}
