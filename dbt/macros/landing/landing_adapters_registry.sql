{#- GENERATED from dagster_project/lib/adapters.py (ADAPTERS[...].feeds) by scripts/snapshot_landing_contract.py.
    Do not edit: change the registry, then run `python dbt/scripts/snapshot_landing_contract.py`.
    landing_adapters() -> {adapter: {source: 'primary' | 'secondary'}}: see landing_adapters.sql. -#}
{% macro landing_adapters() -%}
    {{ return({
        'amazon_connect_ctr': {'calls': 'primary', 'digital_contacts': 'primary'},
        'genesys_cloud_conversations': {'calls': 'primary', 'digital_contacts': 'primary'},
        'zendesk_tickets': {'tickets': 'primary', 'surveys': 'secondary'},
        'zendesk_ticket_audits': {'ticket_events': 'primary'},
        'zendesk_schedules': {'business_schedules': 'primary', 'holidays': 'primary'},
        'servicenow_incidents': {'tickets': 'primary', 'ticket_events': 'secondary'},
        'anonymous_bank': {'calls': 'primary'},
    }) }}
{%- endmacro %}
