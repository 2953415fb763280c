pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        name = "world"
    }
    task in_literal : mysql {
        conn = "warehouse"
        sql = "SELECT * FROM t WHERE name = '{{ params.name | sql }}'"
    }
    task in_identifier : sqlite {
        conn = "local"
        sql = "SELECT \"{{ params.name | sql }}\" FROM t"
    }
    task fine : mysql {
        conn = "warehouse"
        sql = """
            -- it's the name's rows
            /* don't quote: sql does */
            SELECT 'it''s', 'a\'b', {{ params.name | sql }} FROM t WHERE ds = {{ ds | sql }}
        """
    }
}
