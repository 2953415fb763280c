pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash {
        command = """
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    {% if true %}
    x
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
    {% endif %}
        """
    }
}
