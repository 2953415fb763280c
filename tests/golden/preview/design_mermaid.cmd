graph _design.flux --format mermaid
