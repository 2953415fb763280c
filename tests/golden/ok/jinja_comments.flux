{# a file-level comment #}
pipeline p {
    schedule = "@daily"  # trailing comment
    start = "2026-01-01T00:00:00Z"
    {# a comment
       over several lines #}
    task a : bash { command = "echo {# not rendered #}hi" }
}
