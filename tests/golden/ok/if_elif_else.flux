{% set env = "staging" %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% if env == "prod" %}
    task deploy_prod : bash { command = "true" }
    {% elif env == "staging" and not false %}
    task deploy_staging : bash { command = "true" }
    {% else %}
    task deploy_dev : bash { command = "true" }
    {% endif %}
    {% for i in range(4) %}
    {% if i % 2 == 0 %}
    task even_{{ i }} : bash { command = "true" }
    {% else %}
    task odd_{{ i }} : bash { command = "true" }
    {% endif %}
    {% endfor %}
    deploy_staging >> [even_0, odd_1, even_2, odd_3]
}
