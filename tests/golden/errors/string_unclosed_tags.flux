pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash {
        command = """
            echo {{ ds
            echo done
        """
    }
    task b : bash {
        command = """
            {% if params.x
            echo x
        """
    }
    task c : bash { command = "echo {% if true %}x{% endif" }
}
