graph _design.plan.yaml --format mermaid
