{#-
    The adapter zendesk_schedules (models/staging/adapters/zendesk_schedules/): Zendesk business-hours schedules
    and their holidays, one raw table for both record kinds (docs/decisions.md, "Zendesk schedules").
-#}


{#- A raw row of raw.zendesk_schedules that is a holiday record (it has a start or end date); every other row
    (schedule intervals, a schedule without intervals, a malformed value) is the schedules model's. The two models
    split the raw rows by this one condition, so together they account for every row exactly once. -#}
{% macro zendesk_schedules_is_holiday() -%}
    (_malformed is null and (nullif(trim(start_date), '') is not null or nullif(trim(end_date), '') is not null))
{%- endmacro %}


{#-
    Zendesk's time_zone values are Ruby on Rails (ActiveSupport::TimeZone::MAPPING) names: name -> IANA zone.
    Every IANA zone named here is known to DuckDB and PostgreSQL (tests/dbt/test_adapters_schedules.py checks
    it). A value that is already an IANA zone passes unchanged (base_zendesk_schedules__business_schedules).
-#}
{% macro zendesk_time_zones() -%}
    {{ return({
        "International Date Line West": "Etc/GMT+12",
        "Midway Island": "Pacific/Midway",
        "American Samoa": "Pacific/Pago_Pago",
        "Hawaii": "Pacific/Honolulu",
        "Alaska": "America/Juneau",
        "Pacific Time (US & Canada)": "America/Los_Angeles",
        "Tijuana": "America/Tijuana",
        "Mountain Time (US & Canada)": "America/Denver",
        "Arizona": "America/Phoenix",
        "Chihuahua": "America/Chihuahua",
        "Mazatlan": "America/Mazatlan",
        "Central Time (US & Canada)": "America/Chicago",
        "Saskatchewan": "America/Regina",
        "Guadalajara": "America/Mexico_City",
        "Mexico City": "America/Mexico_City",
        "Monterrey": "America/Monterrey",
        "Central America": "America/Guatemala",
        "Eastern Time (US & Canada)": "America/New_York",
        "Indiana (East)": "America/Indiana/Indianapolis",
        "Bogota": "America/Bogota",
        "Lima": "America/Lima",
        "Quito": "America/Lima",
        "Atlantic Time (Canada)": "America/Halifax",
        "Caracas": "America/Caracas",
        "La Paz": "America/La_Paz",
        "Santiago": "America/Santiago",
        "Newfoundland": "America/St_Johns",
        "Brasilia": "America/Sao_Paulo",
        "Buenos Aires": "America/Argentina/Buenos_Aires",
        "Montevideo": "America/Montevideo",
        "Georgetown": "America/Guyana",
        "Puerto Rico": "America/Puerto_Rico",
        "Greenland": "America/Godthab",
        "Mid-Atlantic": "Atlantic/South_Georgia",
        "Azores": "Atlantic/Azores",
        "Cape Verde Is.": "Atlantic/Cape_Verde",
        "Dublin": "Europe/Dublin",
        "Edinburgh": "Europe/London",
        "Lisbon": "Europe/Lisbon",
        "London": "Europe/London",
        "Casablanca": "Africa/Casablanca",
        "Monrovia": "Africa/Monrovia",
        "UTC": "Etc/UTC",
        "Belgrade": "Europe/Belgrade",
        "Bratislava": "Europe/Bratislava",
        "Budapest": "Europe/Budapest",
        "Ljubljana": "Europe/Ljubljana",
        "Prague": "Europe/Prague",
        "Sarajevo": "Europe/Sarajevo",
        "Skopje": "Europe/Skopje",
        "Warsaw": "Europe/Warsaw",
        "Zagreb": "Europe/Zagreb",
        "Brussels": "Europe/Brussels",
        "Copenhagen": "Europe/Copenhagen",
        "Madrid": "Europe/Madrid",
        "Paris": "Europe/Paris",
        "Amsterdam": "Europe/Amsterdam",
        "Berlin": "Europe/Berlin",
        "Bern": "Europe/Zurich",
        "Zurich": "Europe/Zurich",
        "Rome": "Europe/Rome",
        "Stockholm": "Europe/Stockholm",
        "Vienna": "Europe/Vienna",
        "West Central Africa": "Africa/Algiers",
        "Bucharest": "Europe/Bucharest",
        "Cairo": "Africa/Cairo",
        "Helsinki": "Europe/Helsinki",
        "Kyiv": "Europe/Kiev",
        "Riga": "Europe/Riga",
        "Sofia": "Europe/Sofia",
        "Tallinn": "Europe/Tallinn",
        "Vilnius": "Europe/Vilnius",
        "Athens": "Europe/Athens",
        "Istanbul": "Europe/Istanbul",
        "Minsk": "Europe/Minsk",
        "Jerusalem": "Asia/Jerusalem",
        "Harare": "Africa/Harare",
        "Pretoria": "Africa/Johannesburg",
        "Kaliningrad": "Europe/Kaliningrad",
        "Moscow": "Europe/Moscow",
        "St. Petersburg": "Europe/Moscow",
        "Volgograd": "Europe/Volgograd",
        "Samara": "Europe/Samara",
        "Kuwait": "Asia/Kuwait",
        "Riyadh": "Asia/Riyadh",
        "Nairobi": "Africa/Nairobi",
        "Baghdad": "Asia/Baghdad",
        "Tehran": "Asia/Tehran",
        "Abu Dhabi": "Asia/Muscat",
        "Muscat": "Asia/Muscat",
        "Baku": "Asia/Baku",
        "Tbilisi": "Asia/Tbilisi",
        "Yerevan": "Asia/Yerevan",
        "Kabul": "Asia/Kabul",
        "Ekaterinburg": "Asia/Yekaterinburg",
        "Islamabad": "Asia/Karachi",
        "Karachi": "Asia/Karachi",
        "Tashkent": "Asia/Tashkent",
        "Chennai": "Asia/Kolkata",
        "Kolkata": "Asia/Kolkata",
        "Mumbai": "Asia/Kolkata",
        "New Delhi": "Asia/Kolkata",
        "Kathmandu": "Asia/Kathmandu",
        "Astana": "Asia/Dhaka",
        "Dhaka": "Asia/Dhaka",
        "Sri Jayawardenepura": "Asia/Colombo",
        "Almaty": "Asia/Almaty",
        "Novosibirsk": "Asia/Novosibirsk",
        "Rangoon": "Asia/Rangoon",
        "Bangkok": "Asia/Bangkok",
        "Hanoi": "Asia/Bangkok",
        "Jakarta": "Asia/Jakarta",
        "Krasnoyarsk": "Asia/Krasnoyarsk",
        "Beijing": "Asia/Shanghai",
        "Chongqing": "Asia/Chongqing",
        "Hong Kong": "Asia/Hong_Kong",
        "Urumqi": "Asia/Urumqi",
        "Kuala Lumpur": "Asia/Kuala_Lumpur",
        "Singapore": "Asia/Singapore",
        "Taipei": "Asia/Taipei",
        "Perth": "Australia/Perth",
        "Irkutsk": "Asia/Irkutsk",
        "Ulaanbaatar": "Asia/Ulaanbaatar",
        "Seoul": "Asia/Seoul",
        "Osaka": "Asia/Tokyo",
        "Sapporo": "Asia/Tokyo",
        "Tokyo": "Asia/Tokyo",
        "Yakutsk": "Asia/Yakutsk",
        "Darwin": "Australia/Darwin",
        "Adelaide": "Australia/Adelaide",
        "Canberra": "Australia/Canberra",
        "Melbourne": "Australia/Melbourne",
        "Sydney": "Australia/Sydney",
        "Brisbane": "Australia/Brisbane",
        "Hobart": "Australia/Hobart",
        "Vladivostok": "Asia/Vladivostok",
        "Guam": "Pacific/Guam",
        "Port Moresby": "Pacific/Port_Moresby",
        "Magadan": "Asia/Magadan",
        "Srednekolymsk": "Asia/Srednekolymsk",
        "Solomon Is.": "Pacific/Guadalcanal",
        "New Caledonia": "Pacific/Noumea",
        "Fiji": "Pacific/Fiji",
        "Kamchatka": "Asia/Kamchatka",
        "Marshall Is.": "Pacific/Majuro",
        "Auckland": "Pacific/Auckland",
        "Wellington": "Pacific/Auckland",
        "Nuku'alofa": "Pacific/Tongatapu",
        "Tokelau Is.": "Pacific/Fakaofo",
        "Chatham Is.": "Pacific/Chatham",
        "Samoa": "Pacific/Apia",
    }) }}
{%- endmacro %}


{#- zendesk_time_zones() as a relation (zendesk_name, iana_zone), for a join. -#}
{% macro zendesk_time_zones_relation() -%}
    (
        select
            cast(zendesk_name as {{ dbt.type_string() }}) as zendesk_name,
            cast(iana_zone as {{ dbt.type_string() }}) as iana_zone
        from (values
            {%- for name, zone in zendesk_time_zones().items() %}
            ({{ sql_string(name) }}, {{ sql_string(zone) }}){{ ',' if not loop.last }}
            {%- endfor %}
        ) as zones (zendesk_name, iana_zone)
    )
{%- endmacro %}


{#- Minutes since local midnight (0..1440) -> 'HH:MM' ('24:00' for 1440), the contract's `time` text. -#}
{% macro minutes_clock_text(expr) -%}
    (lpad(cast(cast(({{ expr }} - {{ expr }} % 60) / 60 as {{ dbt.type_int() }}) as {{ dbt.type_string() }}), 2, '0')
        || ':' || lpad(cast({{ expr }} % 60 as {{ dbt.type_string() }}), 2, '0'))
{%- endmacro %}
