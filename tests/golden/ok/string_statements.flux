{% set tables = ["orders", "refunds"] %}
{% set env = "prod" %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        full = false
        days = ["mon", "tue"]
    }
    # known at compile time: rendered into plain text
    task folded : bash {
        command = """
            {% for t in tables -%}
            load {{ t }}{% if not loop.last %} &&{% endif %}
            {% endfor -%}
            {%- if env == "prod" %} --strict{% else %} --lax{% endif %}
        """
    }
    # read params: kept, with the compile-time parts folded in
    task kept : bash {
        command = """
            {% set mode = "full" if params.full else "delta" -%}
            export MODE={{ mode | shquote }}
            {% for d in params.days -%}
            run {{ d | shquote }} {{ loop.index }}/{{ loop.length }} {{ tables | join(",") }}
            {% endfor -%}
            {% if params.full %}vacuum{% elif env == "prod" %}analyze{% endif %}
        """
    }
}
