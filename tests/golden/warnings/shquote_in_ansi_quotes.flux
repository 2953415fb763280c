# bash reads $'...' with backslash escapes (\' does not end it); sh reads
# $ then '...' where a backslash is itself: the quoting is the task's shell's
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        name = "world"
    }
    task bash_inside : bash { command = """echo $'it\'s {{ params.name | shquote }}'""" }
    task bash_after : bash { command = """echo $'a\'b' {{ params.name | shquote }}""" }
    task sh_inside : bash {
        command = """echo $'a\'b' {{ params.name | shquote }}"""
        shell   = sh
    }
    task sh_after : bash {
        command = """echo $'it\'s {{ params.name | shquote }}'"""
        shell   = sh
    }
}
