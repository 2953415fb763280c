{% include "_dup_pipeline_helper.flux" %}

pipeline shared {
    schedule = "@hourly"
    start = "2026-01-01T00:00:00Z"
    task b : bash { command = "true" }
}
