"""The cost engine: FOCUS files read into DuckDB, the SQL of cost policies, periods and scopes, the
monthly cost of resources and the FOCUS price sources."""
