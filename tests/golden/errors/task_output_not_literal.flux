pipeline outs {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    params { which = "make" }
    task make : bash { command = "echo '::output v=1'" }
    task use : bash { command = "echo {{ tasks[params.which].outputs.v }}" }
    make >> use
}
