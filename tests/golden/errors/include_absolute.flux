# an include may not name a file by an absolute path: its lines would be quoted
{% include "/etc/passwd" %}

pipeline p {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "true" }
}
