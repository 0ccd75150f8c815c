"""The data model: how IRIs are minted, what a facts file may say, and the ontology's
closure the build materialises."""
