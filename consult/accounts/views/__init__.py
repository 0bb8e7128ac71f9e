"""The account pages, one module per flow; :data:`consult.accounts.routes.routes` lists them."""
