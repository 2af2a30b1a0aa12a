{#-
    Contract text written by the contact-center adapter models (amazon_connect_ctr, genesys_cloud_conversations),
    identical on every engine and session time zone (so unit tests and both targets agree):
      adapter_instant_text(instant)   TIMESTAMPTZ -> 'YYYY-MM-DD HH:MM:SS[.fff]+00:00' (UTC wall clock + offset)
      adapter_seconds_text(seconds)   a number of seconds -> decimal text with 3 places ('350.000')
-#}

{% macro adapter_instant_text(instant) -%}
    case when {{ instant }} is not null then {{ dbt.concat(["cast(" ~ to_local_timestamp(instant, 'UTC') ~ " as " ~ dbt.type_string() ~ ")", "'+00:00'"]) }} end
{%- endmacro %}


{% macro adapter_seconds_text(seconds) -%}
    {#- round(numeric, int): PostgreSQL has no round(double precision, int); DuckDB takes either -#}
    cast(cast(round(cast({{ seconds }} as decimal(18, 6)), 3) as decimal(18, 3)) as {{ dbt.type_string() }})
{%- endmacro %}
