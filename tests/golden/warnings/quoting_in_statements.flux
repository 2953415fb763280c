pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        x = "a"
        names = ["a", "b"]
    }
    task a : bash {
        command = """
            {% if params.x %}
            echo {{ params.x }}
            {% endif %}
            {% for n in params.names %}
            echo '{{ n | shquote }}' {{ params.x | shquote }}
            {% endfor %}
        """
    }
    task b : sqlite {
        conn = "local"
        sql = "SELECT {% for n in params.names %}'{{ params.x | sql }}'{% endfor %}"
    }
    task c : bash { command = "{% set v = params.x %}echo {{ tasks.b.outputs.rows }}" }
    b >> c
}
