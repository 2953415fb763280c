graph ../../../examples/tutorial/tutorial.flux --format mermaid
