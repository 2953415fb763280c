graph ../../../examples/flowview/flowview.flux --pipeline flowview_land --format mermaid
