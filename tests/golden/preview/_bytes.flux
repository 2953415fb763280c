pipeline bytes {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    params { word = "héllo" }
    task t : bash {
        command = """echo {{ params.word[1] | json | shquote }} {{ [params.word[2], params.word[0]] | shquote }}"""
    }
}
