graph ../../../examples/umb_uploader/umb_uploader.flux --format mermaid
