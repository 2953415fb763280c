pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "echo {{ ds' }}" }
    task b : bash { command = "echo {{ 'it's' }}" }
    task c : bash { command = "echo {{ }} {% if %}x{% endif %}" }
    task d : bash { command = "echo {{ ds | }}" }
}
