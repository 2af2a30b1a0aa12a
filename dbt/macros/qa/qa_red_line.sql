{#-
    Red-line lexicon matching (metrics.md §6; seeds red_line_lexicon). Plain substring search, so Chinese needs
    no word segmentation; English phrases additionally need a word boundary on their LEFT side.

    qa_red_line_normalised(expr): lower case, curly apostrophes (U+2019, U+2018) -> ', full-width space
        (U+3000) -> ' '. Applied to the utterance and to the phrase alike.
    qa_red_line_word_form(expr): the normalised text with every run of characters that are not a-z, 0-9 or an
        apostrophe turned into ONE space, with a space in front. An English phrase (in the same form, with a
        space in front) then only matches where a word starts: "moron" does not match "oxymoron", "shut up"
        matches "Look, shut up." and "shut  up" (two spaces). The right side stays open on purpose: the seed
        lists "idiot" as matching "idiots" / "idiotic".
    qa_count_occurrences(haystack, needle): non-overlapping occurrences of needle in haystack
        ((length(haystack) - length(replace(haystack, needle, ''))) / length(needle); portable; length counts
        characters on DuckDB and PostgreSQL).
-#}

{% macro qa_red_line_normalised(expr) -%}
    replace(replace(replace(lower({{ expr }}), '’', ''''), '‘', ''''), '　', ' ')
{%- endmacro %}


{% macro qa_red_line_word_form(normalised_expr) -%}
    ' ' || {{ regex_replace_all(normalised_expr, "[^a-z0-9'']+", ' ') }}
{%- endmacro %}


{% macro qa_count_occurrences(haystack, needle) -%}
    {#- exact division; cast because DuckDB's / on integers returns a double -#}
    cast((length({{ haystack }}) - length(replace({{ haystack }}, {{ needle }}, ''))) / length({{ needle }}) as {{ dbt.type_int() }})
{%- endmacro %}
