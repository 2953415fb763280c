{% set sources = { "users": "u.csv", "orders": "o.csv" } %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% for name, file in sources %}
    task load_{{ name }} : file_to_mysql {
        path = "in/{{ file }}"
        target = "warehouse"
        table = "{{ name }}"
    }
    {% endfor %}
    load_users >> load_orders
}
