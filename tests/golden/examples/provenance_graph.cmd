graph ../../../examples/provenance/provenance.flux --format mermaid
