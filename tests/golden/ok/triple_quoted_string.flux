pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task script : bash {
        command = """
            set -e
            for f in a b; do
                echo "$f"
            done
        """
    }
    task q : sqlite {
        conn = "local"
        sql = """
            SELECT {{ ds | sql }}
            FROM t
        """
    }
    script >> q
}
