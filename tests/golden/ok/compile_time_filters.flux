{% set name = "  Orders  " %}
{% set parts = ["a", "b", "c"] %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        label = ""
    }
    task load_{{ name | trim | lower }} : bash { command = "echo {{ name | trim | upper }}" }
    task n_{{ parts | length }} : bash { command = "echo {{ parts | join('-') | replace('-', '_') }}" }
    task x_{{ "7" | int + 1 }} : bash { command = "echo {{ params.label | default('none') | shquote }}" }
    load_orders >> n_3 >> x_8
}
