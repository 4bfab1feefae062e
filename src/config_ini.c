/* The config written back as a profile: every sandbox setting of the table, section by
 * section, in the INI syntax the profiles use, so that it can be saved and loaded again (and
 * a running sandbox's config rebuilt from it). Pure; runs on the host. */
#include "config.h"

#include <errno.h>

#include "schema.h"
#include "util.h"

int config_write_ini(const struct config *c, FILE *f)
{
        const char *section = NULL;

        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                if (!s->section || s->meta != META_NONE)
                        continue; /* command-line-only and meta options */
                if (!section || !streq(section, s->section)) {
                        fprintf(f, "%s[%s]\n", section ? "\n" : "", s->section);
                        section = s->section;
                }
                if (s->show)
                        s->show(c, s, f);
                else
                        fprintf(f, "# %s: this build cannot show its value\n", s->key);
        }
        return ferror(f) ? -EIO : 0;
}
