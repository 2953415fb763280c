graph ../../../examples/events/events.flux --format mermaid
