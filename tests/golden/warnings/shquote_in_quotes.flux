pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        name = "world"
    }
    task in_double : bash { command = "echo \"{{ params.name | shquote }}\"" }
    task in_single : bash { command = "echo 'name: {{ params.name | shquote }}'" }
    task output_in_double : bash { command = "echo \"{{ tasks.in_double.outputs.v | shquote }}\"" }
    task reopened : bash { command = "echo \"name: \"{{ params.name | shquote }}\" done\"" }
    task escaped_quote : bash { command = "echo \\\"{{ params.name | shquote }}" }
    task escaped_in_double : bash { command = "echo \"a \\\" b\" {{ params.name | shquote }}" }
    task single_holds_double : bash { command = "echo '\"' {{ params.name | shquote }}" }
    task substitution : bash { command = "echo \"$(cat {{ params.name | shquote }})\" \"`ls {{ params.name | shquote }}`\"" }
    task paren_in_substitution : bash { command = "echo \"$(echo \")\")\" {{ params.name | shquote }}" }
    task double_in_substitution : bash { command = "echo \"$(echo \"{{ params.name | shquote }}\")\"" }
    task script : bash {
        command = """
            # don't quote twice: shquote quotes
            cat > run.sh <<'EOF'
            it's here: {{ params.name | shquote }}
            EOF
            echo {{ params.name | shquote }} $((1 << 2))
            echo "last: {{ params.name | shquote }}"
        """
    }
    in_double >> output_in_double
}
