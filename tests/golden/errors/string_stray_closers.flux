pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "echo { ds }}" }
    task b : bash { command = "echo ds }} and {{ ds }}" }
    task c : bash { command = "echo 100 %} done" }
    task d : bash {
        command = """
            echo {{ ds }} }}
        """
    }
    task e : bash { command = "echo '{\"a\": {\"b\": 1}}' \}} %\} {{ '}}' }}" }
    task f : bash { command = """echo '{"a": {"b": {{ 1 }}}}'""" }
}
