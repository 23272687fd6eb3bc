"""A person's own part in the platform: what they wrote, voted and took a
stance on, their form responses, what they follow and what officials
answered them; and, when they choose, a public page of what they wrote."""
